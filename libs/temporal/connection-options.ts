import * as fs from 'node:fs';
import type { AppConfig } from '../config';

/** Connection options shared by the API's Client and the Worker: address, mTLS files or API key. */
export function temporalConnectionOptions(temporal: AppConfig['temporal']) {
  const tls = temporal.tls
    ? {
        serverNameOverride: temporal.tls.serverName,
        serverRootCACertificate: temporal.tls.caPath ? fs.readFileSync(temporal.tls.caPath) : undefined,
        clientCertPair:
          temporal.tls.certPath && temporal.tls.keyPath
            ? { crt: fs.readFileSync(temporal.tls.certPath), key: fs.readFileSync(temporal.tls.keyPath) }
            : undefined,
      }
    : temporal.apiKey
      ? true
      : undefined;
  return { address: temporal.address, tls, apiKey: temporal.apiKey };
}
