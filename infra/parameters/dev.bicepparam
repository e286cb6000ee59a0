// Development: one always-ready DeliverCall instance, a low instance ceiling, locally-redundant storage, no purge
// protection. Deployment-specific values come from the environment so that no team id or object id is committed;
// bicep names a missing variable when the file is compiled (infra/README.md). Secrets are never set here.
using '../main.bicep'

param environmentName = 'dev'
param apnsTeamId = readEnvironmentVariable('APNS_TEAM_ID')
param apnsKeyId = readEnvironmentVariable('APNS_KEY_ID')
param fcmProjectId = readEnvironmentVariable('FCM_PROJECT_ID')
param operatorPrincipalId = readEnvironmentVariable('PUSH_OPERATOR_OBJECT_ID', '')
param actionGroupId = readEnvironmentVariable('PUSH_ACTION_GROUP_ID', '')
param registryKeyEncryptionKeyId = 'devkek1'
param transport = 'storageQueues'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param callsAlwaysReady = 1
param logRetentionDays = 30
param tags = {
  app: 'push-relay'
  environment: 'dev'
}
