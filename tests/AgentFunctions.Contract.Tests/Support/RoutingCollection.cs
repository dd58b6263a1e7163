namespace AgentFunctions.Contract.Tests.Support;

/// <summary>The routing and resilience scenarios share one pair of engines with their own roles.</summary>
[CollectionDefinition(Name)]
public sealed class RoutingCollection : ICollectionFixture<RoutingEngines>
{
    public const string Name = "Routing engines";
}
