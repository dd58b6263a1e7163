namespace AgentQ.Tests.Infrastructure;

[CollectionDefinition(AgentEngines.Collection)]
public sealed class AgentEnginesCollection : ICollectionFixture<AgentEngines>;
