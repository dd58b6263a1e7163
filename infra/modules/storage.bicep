import { resourceTags } from 'types.bicep'

// Storage account for the Functions host, the Durable task hub, the app's containers and queues,
// and the Flex Consumption deployment package. Shared keys are off: everything uses Entra ID.

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the account.')
param tags resourceTags = {}

@description('Redundancy SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param skuName string = 'Standard_LRS'

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Extra queues to create, e.g. the per-role worker queues work-<role> of remote roles (the app also creates them at start).')
param extraQueueNames string[] = []

@description('Days deleted blobs and containers are kept (0 = soft delete off).')
@minValue(0)
@maxValue(365)
param softDeleteRetentionDays int = 7

@description('Principal id of the function app\'s managed identity; it gets the blob, queue and table data roles.')
param principalId string

// Containers and queues the app relies on (docs/api.md and docs/configuration.md: artifacts, dead letters, queue intake).
var appContainers = [
  'artifacts'
  'dead-letter'
]
var appQueues = [
  'agent-tasks'
  'agent-tasks-poison'
]

// Durable Functions (Azure Storage provider) and the Functions host need blobs, queues and tables.
var dataRoles = [
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: softDeleteRetentionDays > 0
      ? { enabled: true, days: max(softDeleteRetentionDays, 1) }
      : { enabled: false }
    containerDeleteRetentionPolicy: softDeleteRetentionDays > 0
      ? { enabled: true, days: max(softDeleteRetentionDays, 1) }
      : { enabled: false }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for container in union(appContainers, [deploymentContainerName]): {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queue in union(appQueues, extraQueueNames): {
    parent: queueService
    name: queue
  }
]

resource dataRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in dataRoles: {
    scope: account
    name: guid(account.id, principalId, roleId)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainerName}'
