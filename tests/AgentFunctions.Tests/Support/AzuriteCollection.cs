using AgentFunctions.Testing.Azurite;

namespace AgentFunctions.Tests.Support;

/// <summary>One Azurite for every storage test in this project, started before the first and stopped after the last.</summary>
[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;
