// Production: two warm calls replicas (one can restart while the other rings phones), messages scale to
// zero, zone-redundant storage, Key Vault purge protection, 90 days of logs.
// Deployment-specific values come from the environment (infra/README.md).
using '../main.bicep'

param environmentName = 'prod'
param image = readEnvironmentVariable('PUSH_RELAY_IMAGE')
param apnsTeamId = readEnvironmentVariable('APNS_TEAM_ID')
param apnsKeyId = readEnvironmentVariable('APNS_KEY_ID')
param containerRegistryName = readEnvironmentVariable('PUSH_ACR_NAME', '')
param operatorPrincipalId = readEnvironmentVariable('PUSH_OPERATOR_OBJECT_ID', '')
// First deployment: PUSH_DEPLOY_APPS=false creates everything but the apps, so the secrets can be set first.
param deployApps = bool(readEnvironmentVariable('PUSH_DEPLOY_APPS', 'true'))
param registryKeyEncryptionKeyId = 'kek-1'
param transport = 'storageQueues'
param callsMinReplicas = 2
param callsMaxReplicas = 30
param messagesMinReplicas = 0
param messagesMaxReplicas = 20
param queueLengthPerReplica = 32
param containerCpu = '1.0'
param containerMemory = '2Gi'
param logRetentionDays = 90
param tags = {
  app: 'push-relay'
  environment: 'prod'
}
