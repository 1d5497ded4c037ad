/** Backups of a SQLite instance (database + data-directory files) and restores checked against the published log. */
export { createBackup, extractBackup, DB_FILE, type BackupInfo } from './archive.js';
export { checkRestoredLog, type PublishedCheckpoint, type RestoreCheck } from './restore.js';
export { runBackupCli } from './cli.js';
