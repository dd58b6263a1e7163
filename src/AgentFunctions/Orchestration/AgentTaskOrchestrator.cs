using AgentFunctions.Core.Status;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace AgentFunctions.Orchestration;

/// <summary>The orchestration of one task: input is the <c>TaskPlan</c>, custom status the task view, output the result.</summary>
public static class AgentTaskOrchestrator
{
    [Function(OrchestrationNames.AgentTask)]
    public static async Task<TaskResultDocument> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var run = new AgentTaskRun(context);
        return await run.RunAsync();
    }
}
