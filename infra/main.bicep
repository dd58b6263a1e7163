// AgentFunctions on Azure: a .NET 10 isolated Durable Functions app on the Flex Consumption plan,
// identity-based storage (no shared keys), workspace-based Application Insights, worker roles as app
// settings and API keys as Key Vault references.
//
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json
//
// See infra/README.md.

targetScope = 'resourceGroup'

import { appSettingsMap, resourceTags, roleSecretMap, roleSettingsMap } from 'modules/types.bicep'

// ---------------------------------------------------------------- parameters

@description('Azure region for every resource; it must offer the Flex Consumption plan. Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Short base name (lowercase letters and digits) from which resource names are derived.')
@minLength(2)
@maxLength(11)
param baseName string = 'agentfn'

@description('Function app name (globally unique). Empty: <baseName>-<hash of subscription, resource group and baseName>.')
@maxLength(60)
param functionAppName string = ''

@description('Storage account name (3-24 lowercase letters and digits, globally unique). Empty: derived from baseName and the hash.')
@maxLength(24)
param storageAccountName string = ''

@description('Storage account redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param storageSku string = 'Standard_LRS'

@description('Blob container for the Flex Consumption deployment package.')
@minLength(3)
@maxLength(63)
param deploymentContainerName string = 'app-package'

@description('Durable Functions task hub name, set as the TaskHubName app setting that host.json reads as %TaskHubName%: letters and digits only, starting with a letter, 3-45 characters. Give each app sharing a storage account its own hub.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'agentfunctions'

@description('Maximum number of instances the Flex Consumption plan may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per Flex Consumption instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Log Analytics retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Disable instrumentation-key ingestion in Application Insights; telemetry then flows only with the managed identity (Entra ID).')
param appInsightsDisableLocalAuth bool = true

@description('Workflow:ApprovalTimeout: how long an approval may wait when the task does not say, as a TimeSpan string (1.00:00:00 = 24 hours).')
param approvalTimeout string = '1.00:00:00'

@description('Worker roles keyed by role name. Each key below a role becomes the app setting Roles__<role>__<Key>; Command and PermanentExitCodes become Roles__<role>__Command__0..n; Retry keys become Roles__<role>__Retry__<Key>. No secrets here: use roleApiKeySecretNames for API keys.')
param roleSettings roleSettingsMap = {
  echo: {
    Runner: 'echo'
  }
}

@description('Name of an existing Key Vault (Azure RBAC authorization) that holds the API keys of openai roles. Empty: no Key Vault references and no Key Vault role assignment (then roleApiKeySecretNames must be empty too, or the deployment stops).')
param keyVaultName string = ''

@description('Resource group of keyVaultName (defaults to this resource group).')
param keyVaultResourceGroupName string = resourceGroup().name

@description('Role name -> Key Vault secret name. Each entry becomes Roles__<role>__ApiKey = @Microsoft.KeyVault(SecretUri=https://<vault>/secrets/<secret>/) (latest version). Needs keyVaultName: a mapping without a vault stops the deployment.')
param roleApiKeySecretNames roleSecretMap = {}

@description('Further app settings merged last, e.g. Limits__MaxRolesPerTask or Workflow__* keys. Never put secrets here.')
param additionalAppSettings appSettingsMap = {}

@description('Tags applied to every resource.')
param tags resourceTags = {}

// ---------------------------------------------------------------- names

var token = toLower(uniqueString(subscription().id, resourceGroup().id, baseName))
var appName = empty(functionAppName) ? '${baseName}-${token}' : functionAppName
var storageName = empty(storageAccountName)
  ? take(toLower('${replace(baseName, '-', '')}${token}'), 24)
  : storageAccountName
var allTags = union({ application: 'agentfunctions' }, tags)

// API keys mapped to Key Vault secrets need the vault: without it those roles would deploy without a key and fail
// on every call. fail() (Bicep's flow-control function, only allowed in a short-circuiting expression such as ?:)
// stops the deployment with this message instead.
var apiKeysWithoutVault = empty(keyVaultName) && !empty(roleApiKeySecretNames)
var useKeyVault = apiKeysWithoutVault
  ? fail('roleApiKeySecretNames maps roles to Key Vault secrets, but keyVaultName is empty: set keyVaultName to the existing vault that holds them (or remove the mapping).')
  : !empty(keyVaultName)

// ---------------------------------------------------------------- names the deployment checks

// Bicep has no pattern decorator, so characters are checked here and a bad value stops the deployment with fail().
func onlyCharacters(text string, allowed string) bool =>
  empty(filter(range(0, length(text)), i => !contains(allowed, substring(text, i, 1))))

func startsWithLetter(text string) bool => !empty(text) && contains('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', first(text))

// Durable Functions task hub names: letters and digits, starting with a letter (the length is checked by decorators).
var checkedTaskHubName = startsWithLetter(taskHubName) && onlyCharacters(taskHubName, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
  ? taskHubName
  : fail('taskHubName \'${taskHubName}\' is not a valid Durable Functions task hub name: use only letters and digits, starting with a letter.')

// A role becomes the app settings Roles__<role>__*, and App Service allows only letters, digits, '.' and '_' in app
// setting names. Role names are lowercase letters, digits and hyphens, so the deployable ones are those without a
// hyphen: a role such as code-review is refused here rather than deployed without its settings.
var undeployableRoleNames = filter(
  union(objectKeys(roleSettings), objectKeys(roleApiKeySecretNames)),
  name => !startsWithLetter(name) || length(name) > 40 || !onlyCharacters(name, 'abcdefghijklmnopqrstuvwxyz0123456789')
)

// ---------------------------------------------------------------- role settings -> app settings

// Keys of a role that are not plain values; they are flattened below.
var structuredRoleKeys = [
  'Command'
  'PermanentExitCodes'
  'Retry'
]

var roleSettingEntries = flatten(map(
  items(roleSettings),
  role =>
    concat(
      map(filter(items(role.value), setting => !contains(structuredRoleKeys, setting.key)), setting => {
        name: 'Roles__${role.key}__${setting.key}'
        // string(true) is 'True' in ARM; write booleans the way configuration files do.
        value: string(setting.value) == 'True'
          ? 'true'
          : string(setting.value) == 'False' ? 'false' : string(setting.value)
      }),
      map(range(0, length(role.value.?Command ?? [])), i => {
        name: 'Roles__${role.key}__Command__${i}'
        value: role.value.Command![i]
      }),
      map(range(0, length(role.value.?PermanentExitCodes ?? [])), i => {
        name: 'Roles__${role.key}__PermanentExitCodes__${i}'
        value: string(role.value.PermanentExitCodes![i])
      }),
      map(items(role.value.?Retry ?? {}), retry => {
        name: 'Roles__${role.key}__Retry__${retry.key}'
        value: string(retry.value)
      })
    )
))

var roleAppSettings = empty(undeployableRoleNames)
  ? toObject(roleSettingEntries, entry => entry.name, entry => entry.value)
  : fail('Role name(s) ${join(undeployableRoleNames, ', ')} cannot be deployed to Azure Functions: each role becomes app settings named Roles__<role>__<Key>, and App Service allows only letters, digits, \'.\' and \'_\' in app setting names. Name Functions roles with 1-40 lowercase letters and digits, starting with a letter (hyphenated names work in the Standalone server only).')

// Versionless secret URIs: App Service picks up a rotated secret by itself (within a day, or at once on
// any change to the app's configuration), with no redeployment.
var apiKeyAppSettings = useKeyVault
  ? toObject(
      items(roleApiKeySecretNames),
      secret => 'Roles__${secret.key}__ApiKey',
      secret =>
        '@Microsoft.KeyVault(SecretUri=https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets/${secret.value}/)'
    )
  : {}

// Remote roles get their worker queue up front (the app also creates work-<role> at start).
var workerQueueNames = map(
  filter(items(roleSettings), role => role.value.Runner == 'remote'),
  role => 'work-${role.key}'
)

// ---------------------------------------------------------------- resources

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${appName}'
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageName
    location: location
    tags: allTags
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    extraQueueNames: workerQueueNames
    principalId: identity.outputs.principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${appName}'
    applicationInsightsName: 'appi-${appName}'
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
    disableLocalAuth: appInsightsDisableLocalAuth
    publisherPrincipalId: identity.outputs.principalId
  }
}

module keyVaultAccess 'modules/keyvault-access.bicep' = if (useKeyVault) {
  name: 'keyvault-access'
  scope: resourceGroup(keyVaultResourceGroupName)
  params: {
    keyVaultName: keyVaultName
    principalId: identity.outputs.principalId
  }
}

var platformAppSettings = {
  // Identity-based host storage (also used by Durable Functions and by the app's Blob/Queue clients).
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  // Telemetry with the identity (Entra ID ingestion).
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  // host.json: "hubName": "%TaskHubName%".
  TaskHubName: checkedTaskHubName
  Workflow__ApprovalTimeout: approvalTimeout
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: appName
    planName: 'plan-${appName}'
    location: location
    tags: allTags
    identityId: identity.outputs.id
    storageAccountName: storageName
    deploymentContainerName: deploymentContainerName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: union(platformAppSettings, roleAppSettings, apiKeyAppSettings, additionalAppSettings)
  }
  // The app uses storage, telemetry and Key Vault as soon as it exists, so the modules that grant the
  // identity its roles finish first: storage and monitoring through their outputs in appSettings,
  // Key Vault explicitly.
  dependsOn: [
    keyVaultAccess
  ]
}

// ---------------------------------------------------------------- outputs

@description('Name of the function app (for func azure functionapp publish).')
output functionAppName string = functionApp.outputs.name

@description('Default host URL of the function app.')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('Base URL of the AgentFunctions HTTP API.')
output apiBaseUrl string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('Storage account that holds the task hub, artifacts, dead letters and queues.')
output storageAccountName string = storage.outputs.name

@description('Client id of the app\'s user-assigned managed identity.')
output identityClientId string = identity.outputs.clientId

@description('Principal (object) id of the app\'s user-assigned managed identity.')
output identityPrincipalId string = identity.outputs.principalId

@description('Application Insights component name.')
output applicationInsightsName string = monitoring.outputs.applicationInsightsName

@description('Durable Functions task hub name.')
output taskHubName string = checkedTaskHubName

@description('App setting names generated from roleSettings and roleApiKeySecretNames (values are not echoed).')
output roleAppSettingNames string[] = concat(objectKeys(roleAppSettings), objectKeys(apiKeyAppSettings))
