// Lets the function app's identity read secrets of an existing Key Vault (RBAC authorization model),
// so that app settings can be Key Vault references. Deployed at the vault's resource group.

@description('Name of the existing Key Vault; it must use Azure RBAC authorization (enableRbacAuthorization).')
param keyVaultName string

@description('Principal id of the managed identity that resolves the Key Vault references.')
param principalId string

// Key Vault Secrets User
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output vaultUri string = vault.properties.vaultUri
