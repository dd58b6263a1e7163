using AgentFunctions.Durable.Tests.Support;

namespace AgentFunctions.Durable.Tests.Scenarios;

/// <summary>The representative scenarios on DurableTask.AzureStorage over Azurite (the provider Durable Functions uses).</summary>
public sealed class AzureStorageRepresentativeScenarios(AzureStorageEngine engine) : RepresentativeScenarios(engine), IClassFixture<AzureStorageEngine>;
