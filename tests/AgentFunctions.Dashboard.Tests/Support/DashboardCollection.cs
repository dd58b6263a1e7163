namespace AgentFunctions.Dashboard.Tests.Support;

/// <summary>The dashboard tests share one browser and one set of servers.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardServers>
{
    public const string Name = "Dashboard";
}
