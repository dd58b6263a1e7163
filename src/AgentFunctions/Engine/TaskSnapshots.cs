using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Orchestration;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Engine;

/// <summary>Reads a task back from its orchestration instance: the plan (input), the view (custom status), the result (output).</summary>
public static class TaskSnapshots
{
    /// <summary>The plan of a task instance (its spec without the inline context), or null for instances that are not tasks.</summary>
    public static TaskPlan? ReadPlan(OrchestrationMetadata instance) => ReadInput(instance)?.ToPlan();

    /// <summary>
    /// The orchestration input of a task instance, or null for instances that are not tasks. Inputs written before
    /// <see cref="TaskInput"/> existed are plans (with the context inline): they read as inputs without a context
    /// reference and without a spec hash.
    /// </summary>
    public static TaskInput? ReadInput(OrchestrationMetadata instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (!string.Equals(instance.Name, OrchestrationNames.AgentTask, StringComparison.Ordinal) || instance.SerializedInput is null)
        {
            return null;
        }

        try
        {
            return instance.ReadInputAs<TaskInput>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The task as the API shows it. Before the orchestrator first ran, the view is the decider's start state; an
    /// instance that failed or was terminated outside the workflow shows as failed or canceled.
    /// </summary>
    public static TaskSnapshot? From(OrchestrationMetadata instance, TaskResultDocument? storedResult = null)
    {
        if (ReadPlan(instance) is not { } plan)
        {
            return null;
        }

        var view = ReadView(instance) ?? TaskViewProjector.ToView(WorkflowDecider.Start(plan, instance.CreatedAt).State);
        TaskResultDocument? result = null;
        switch (instance.RuntimeStatus)
        {
            case OrchestrationRuntimeStatus.Completed:
                result = ReadOutput(instance) ?? storedResult ?? FromView(view);
                break;
            case OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated:
                if (!view.State.IsTerminal())
                {
                    var state = instance.RuntimeStatus == OrchestrationRuntimeStatus.Terminated ? AgentTaskStatus.Canceled : AgentTaskStatus.Failed;
                    var reason = instance.RuntimeStatus == OrchestrationRuntimeStatus.Terminated
                        ? "the orchestration was terminated"
                        : "the orchestration failed: " + (instance.FailureDetails?.ErrorMessage ?? "no details");
                    view = view with { State = state, Outcome = new OutcomeView(state, reason, null, instance.LastUpdatedAt, null) };
                }

                result = storedResult ?? FromView(view);
                break;
            default:
                // The orchestration has published its final view and is storing its records: the task has ended.
                result = view.State.IsTerminal() ? FromView(view) : null;
                break;
        }

        return new TaskSnapshot(view, plan.Spec, result) { Trace = plan.Trace };
    }

    /// <summary>A result document from a final view, for instances whose output is not available.</summary>
    public static TaskResultDocument? FromView(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Outcome is not { } outcome)
        {
            return null;
        }

        return new TaskResultDocument
        {
            Id = view.Id,
            State = view.State,
            Outcome = outcome,
            Roles = view.Roles.Select(role => new RoleResultView
            {
                Role = role.Role,
                Stage = role.Stage,
                State = role.State,
                Attempts = role.Attempt,
                Summary = role.State == RoleStatus.Succeeded ? role.Summary : null,
                ResultRef = role.State == RoleStatus.Succeeded ? role.ResultRef : null,
                Artifacts = role.State == RoleStatus.Succeeded ? role.Artifacts : [],
                DeadLetterId = role.DeadLetterId,
                LastError = role.LastError,
                Usage = role.Usage,
            }).ToList(),
            Usage = view.Usage,
            CreatedAt = view.CreatedAt,
            FinishedAt = outcome.At,
        };
    }

    /// <summary>
    /// The task view of an instance's custom status, read without the metadata's data converter: an instance query
    /// without inputs and outputs carries the custom status but no converter (the JSON is the contract dialect).
    /// </summary>
    public static TaskView? ReadView(OrchestrationMetadata instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        try
        {
            return instance.SerializedCustomStatus is null ? null : JsonSerializer.Deserialize<TaskView>(instance.SerializedCustomStatus, CoreJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TaskResultDocument? ReadOutput(OrchestrationMetadata instance)
    {
        try
        {
            return instance.SerializedOutput is null ? null : instance.ReadOutputAs<TaskResultDocument>();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
