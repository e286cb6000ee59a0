// Development: one warm calls replica, messages scale to zero, locally-redundant storage, no purge protection.
// Deployment-specific values come from the environment so that no team id, registry or object id is
// committed; bicep names a missing variable when the file is compiled (infra/README.md).
using '../main.bicep'

param environmentName = 'dev'
param image = readEnvironmentVariable('PUSH_RELAY_IMAGE')
param apnsTeamId = readEnvironmentVariable('APNS_TEAM_ID')
param apnsKeyId = readEnvironmentVariable('APNS_KEY_ID')
param containerRegistryName = readEnvironmentVariable('PUSH_ACR_NAME', '')
param operatorPrincipalId = readEnvironmentVariable('PUSH_OPERATOR_OBJECT_ID', '')
// First deployment: PUSH_DEPLOY_APPS=false creates everything but the apps, so the secrets can be set first.
param deployApps = bool(readEnvironmentVariable('PUSH_DEPLOY_APPS', 'true'))
param registryKeyEncryptionKeyId = 'dev-kek-1'
param transport = 'storageQueues'
param callsMinReplicas = 1
param callsMaxReplicas = 3
param messagesMinReplicas = 0
param messagesMaxReplicas = 3
param logRetentionDays = 30
param tags = {
  app: 'push-relay'
  environment: 'dev'
}
