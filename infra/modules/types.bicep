// Shared parameter types. Keys mirror the DESIGN configuration keys (Roles:<name>:...):
// main.bicep flattens each role into app settings named Roles__<role>__<Key>.

@export()
@sealed()
@description('Retry schedule of one role (Roles:<name>:Retry:*). Durations are TimeSpan strings such as 00:00:02.')
type retrySettings = {
  @description('Attempts before the role is dead-lettered (1-10, default 5).')
  MaxAttempts: int?

  @description('Delay before the second attempt, e.g. 00:00:02.')
  FirstDelay: string?

  @description('Backoff coefficient as a string, e.g. "2.0".')
  BackoffCoefficient: string?

  @description('Upper bound of any delay, e.g. 00:05:00.')
  MaxDelay: string?
}

@export()
@sealed()
@description('One worker role (Roles:<name>:*). Sealed: a key that is not listed here (an ApiKey above all, which would become a plaintext app setting) is refused. API keys come from Key Vault (roleApiKeySecretNames).')
type roleSetting = {
  @description('What runs the role.')
  Runner: 'remote' | 'http' | 'openai' | 'command' | 'echo'

  @description('command runner: program and arguments (Command:0..n); {input} stands for the prompt, which is also written to stdin.')
  Command: string[]?

  @description('command runner: working directory.')
  WorkingDirectory: string?

  @description('command runner: exit codes that mean "do not retry".')
  PermanentExitCodes: int[]?

  @description('http runner: agent endpoint that receives the attempt envelope.')
  Url: string?

  @description('openai runner: OpenAI-compatible base URL, e.g. https://api.openai.com/v1.')
  BaseUrl: string?

  @description('openai runner: model or deployment name.')
  Model: string?

  @description('openai runner: system prompt of the role.')
  SystemPrompt: string?

  @description('Timeout of one attempt in seconds (in-process runners; remote attempts are bounded by their lease). Inline runners run as activities, so keep it below host.json functionTimeout.')
  TimeoutSeconds: int?

  @description('Attempts of this role that may run at once in the Standalone server. The Functions app does not enforce it: host.json maxConcurrentActivityFunctions governs there.')
  Concurrency: int?

  @description('Wait for an approval before the role runs.')
  RequiresApproval: bool?

  @description('remote runner: lease duration in seconds between worker heartbeats.')
  LeaseSeconds: int?

  @description('Cap of captured output in bytes.')
  MaxOutputBytes: int?

  @description('Retry schedule.')
  Retry: retrySettings?
}

@export()
@description('Worker roles keyed by role name: on Azure Functions 1-40 lowercase letters and digits starting with a letter (main.bicep refuses other names).')
type roleSettingsMap = {
  *: roleSetting
}

@export()
@description('Role name -> name of the Key Vault secret that holds that role\'s API key.')
type roleSecretMap = {
  *: string
}

@export()
@description('App settings: name -> string value.')
type appSettingsMap = {
  *: string
}

@export()
@description('Resource tags: name -> string value.')
type resourceTags = {
  *: string
}
