using AgentFunctions.Core.Status;

namespace AgentQ.Following;

/// <summary>The last view seen while following a task (and its JSON as the server sent it), and whether the wait ran out first.</summary>
public sealed record FollowResult(TaskView View, string Json, bool TimedOut);
