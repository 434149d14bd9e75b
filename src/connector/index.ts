// Public surface of the connector: the facility-side agent (intake folder + local HTTP, validate,
// sign, durable queue, send, receipts, reconciliation, replacement, local page).
export { startConnector, openConnectorDb, resendFailed, period, CONNECTOR_MIGRATIONS, type RunningConnector, type StartConnectorOptions } from './connector.ts';
export { resolveConnectorConfig, loadConnectorConfig, writeConfigTemplate, DEFAULTS, type ConnectorConfig, type ConnectorConfigInput, type Target, type SignerConfig } from './config.ts';
export { loadSigner, fromSignatureSigner, type PackageSigner } from './signing.ts';
export { makeSender, SosuckhoeSender, NationalSender, backoffMs, parseRetryAfter, type Sender, type SendRequest, type SendOutcome } from './sender.ts';
export { readStatus, formatStatus, reconcile, formatReconciliation, type ConnectorStatus, type Reconciliation } from './status.ts';
export { formatReport, type IntakeReport } from './intake.ts';
export { folders, type Folders } from './spool.ts';
export { CON } from './errors.ts';
