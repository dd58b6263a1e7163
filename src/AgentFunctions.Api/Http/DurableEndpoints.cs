using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>
/// The Durable Functions HTTP API (instance status, raiseEvent, terminate, purge) with its status
/// codes and JSON, so a status URL behaves the same on both hosts.
/// </summary>
public sealed class DurableEndpoints(ApiDependencies api, ITaskEngine tasks, ITaskHistory history)
{
    /// <summary>
    /// GET instances/{id}[?showInput=false][&amp;showHistory=true]: 202 while running, 200 completed, 400 failed or terminated,
    /// 404 unknown; <c>historyEvents</c> with showHistory.
    /// </summary>
    public async Task<IResult> GetStatusAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TaskEndpoints.InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var task = await tasks.GetAsync(id, cancellationToken);
        if (task is null)
        {
            return ApiProblems.NotFound($"instance '{id}' does not exist");
        }

        var showInput = !string.Equals(request.Query["showInput"], "false", StringComparison.OrdinalIgnoreCase);
        var showHistory = string.Equals(request.Query["showHistory"], "true", StringComparison.OrdinalIgnoreCase);
        var historyEvents = showHistory ? await history.GetDurableHistoryAsync(id, cancellationToken) ?? [] : null;
        var view = task.View with { Links = TaskViewProjector.LinksFor(id, RequestOrigin.Of(request)) };
        var runtimeStatus = RuntimeStatusOf(view.State);
        var status = new DurableInstanceStatus
        {
            Name = ApiRoutes.OrchestrationName,
            InstanceId = id,
            RuntimeStatus = runtimeStatus,
            Input = showInput ? JsonSerializer.SerializeToElement(task.Spec, CoreJson.Options) : null,
            CustomStatus = JsonSerializer.SerializeToElement(view, CoreJson.Options),
            Output = task.Result is null ? null : JsonSerializer.SerializeToElement(task.Result, CoreJson.Options),
            CreatedTime = view.CreatedAt,
            LastUpdatedTime = view.UpdatedAt,
            HistoryEvents = historyEvents,
        };

        return runtimeStatus switch
        {
            "Running" or "Pending" => new AcceptedWithLocation(view.Links.StatusQuery, status),
            "Completed" => TypedResults.Json(status, CoreJson.Options),
            _ => TypedResults.Json(status, CoreJson.Options, statusCode: StatusCodes.Status400BadRequest),
        };
    }

    /// <summary>POST instances/{id}/raiseEvent/{eventName}: 202; 404 unknown; 410 when the instance has ended.</summary>
    public async Task<IResult> RaiseEventAsync(HttpRequest request, string id, string eventName, CancellationToken cancellationToken)
    {
        if (TaskEndpoints.InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        using var body = await JsonBody.ReadAsync(request, api.SmallBodyBytes, optional: true, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        WorkflowEvent? workflowEvent;
        try
        {
            workflowEvent = ToWorkflowEvent(eventName, body.Document?.RootElement);
        }
        catch (FormatException ex)
        {
            return ApiProblems.BadRequest(ex.Message);
        }

        var task = await tasks.GetAsync(id, cancellationToken);
        if (task is null)
        {
            return ApiProblems.NotFound($"instance '{id}' does not exist");
        }

        if (task.View.State.IsTerminal())
        {
            return ApiProblems.Gone($"instance '{id}' has ended ({Names.Of(task.View.State)}) and takes no more events");
        }

        // Like Durable Functions, an event nobody waits for is accepted and has no effect.
        if (workflowEvent is not null
            && await tasks.RaiseAsync(id, workflowEvent, cancellationToken) is RaiseOutcome.Applied or RaiseOutcome.Accepted
            && workflowEvent is ApprovalDecided decided)
        {
            TaskEndpoints.RecordApprovalWait(task, decided);
        }

        return TypedResults.Accepted((string?)null);
    }

    /// <summary>POST instances/{id}/terminate?reason=: cancels the task; 202; 404; 410 when it has ended.</summary>
    public async Task<IResult> TerminateAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TaskEndpoints.InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var task = await tasks.GetAsync(id, cancellationToken);
        if (task is null)
        {
            return ApiProblems.NotFound($"instance '{id}' does not exist");
        }

        if (task.View.State.IsTerminal())
        {
            return ApiProblems.Gone($"instance '{id}' has ended ({Names.Of(task.View.State)})");
        }

        var reason = request.Query["reason"].ToString();
        await tasks.RaiseAsync(id, new CancelRequested("terminate", reason.Length > 0 ? reason : "terminated"), cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>DELETE instances/{id}: 200 { instancesDeleted: 1 }; 404 unknown; 409 while it still runs.</summary>
    public async Task<IResult> PurgeAsync(string id, CancellationToken cancellationToken)
    {
        if (TaskEndpoints.InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        return await tasks.PurgeAsync(id, cancellationToken) switch
        {
            PurgeOutcome.Purged => TypedResults.Json(new PurgeResult(InstancesDeleted: 1), CoreJson.Options),
            PurgeOutcome.StillRunning => ApiProblems.Conflict($"instance '{id}' is still running; terminate or cancel it before purging"),
            _ => ApiProblems.NotFound($"instance '{id}' does not exist"),
        };
    }

    /// <summary>The runtime status a task state shows as in the Durable API.</summary>
    public static string RuntimeStatusOf(AgentTaskStatus state) => state switch
    {
        AgentTaskStatus.Completed => "Completed",
        AgentTaskStatus.Failed or AgentTaskStatus.Rejected or AgentTaskStatus.Expired => "Failed",
        AgentTaskStatus.Canceled => "Terminated",
        _ => "Running",
    };

    /// <summary>
    /// Reads the payload of an <c>approval</c> or <c>cancel</c> event; null for other event names.
    /// Throws <see cref="FormatException"/> with a message for the client when the payload is wrong.
    /// </summary>
    public static WorkflowEvent? ToWorkflowEvent(string eventName, JsonElement? payload)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        var body = payload is { ValueKind: JsonValueKind.Object } p ? p : (JsonElement?)null;
        if (payload is { } given && given.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw new FormatException($"the '{eventName}' event payload must be a JSON object");
        }

        string? Text(string name) => body is { } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        switch (eventName)
        {
            case ApiRoutes.ApprovalEvent:
                var decisionText = Text("decision");
                if (!Names.TryParse<ApprovalDecision>(decisionText, out var decision))
                {
                    throw new FormatException("the approval event needs \"decision\": \"approve\" or \"reject\"");
                }

                var role = Text("role");
                if (role is not null && !Core.Tasks.Identifiers.IsValidRole(role))
                {
                    throw new FormatException($"role: '{role}' is not a valid role name");
                }

                return new ApprovalDecided(decision, Text("by"), Text("note") ?? Text("reason"), role);
            case ApiRoutes.CancelEvent:
                return new CancelRequested(Text("by"), Text("reason") ?? Text("note"));
            default:
                return null;
        }
    }
}
