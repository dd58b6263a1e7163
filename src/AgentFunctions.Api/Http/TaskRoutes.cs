using AgentFunctions.Api.OpenApi;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>The task routes on an ASP.NET Core host (the Standalone server), over <see cref="TaskEndpoints"/>; the Functions app declares the same routes as triggers.</summary>
public static class TaskRoutes
{
    public static RouteGroupBuilder MapTaskApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix).WithTags("tasks");
        api.MapPost(ApiRoutes.Tasks, (HttpRequest r, TaskEndpoints e, CancellationToken ct) => e.SubmitAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Submit))
            .Describe("SubmitTask", "Submit a task; 202 with its status URLs, 200 for an identical resubmission")
            .Body<TaskSpec>()
            .Produces<ManagementPayload>(StatusCodes.Status202Accepted)
            .Produces<ManagementPayload>(StatusCodes.Status200OK)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        api.MapGet(ApiRoutes.Tasks, (HttpRequest r, TaskEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("ListTasks", "List tasks, newest first")
            .Query("state", "Only tasks in this state (accepted, awaiting_approval, running, needs_approval, completed, failed, rejected, canceled, expired).")
            .Query("role", "Only tasks with this role.")
            .Query("top", $"Page size, 1 to {TaskEndpoints.MaxTop} (default {TaskEndpoints.DefaultTop}).", "integer")
            .Query("continuationToken", "The token of the previous page.")
            .Produces<Page<TaskView>>()
            .Problems(StatusCodes.Status400BadRequest);
        api.MapGet(ApiRoutes.Task, (HttpRequest r, string id, TaskEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("GetTask", "The task view: state, roles, approval, outcome, usage, trace id, links")
            .Produces<TaskView>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        api.MapGet(ApiRoutes.TaskResult, (string id, TaskEndpoints e, CancellationToken ct) => e.GetResultAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("GetTaskResult", "The result document of a task that has ended; 409 while it runs")
            .Produces<TaskResultDocument>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapGet(ApiRoutes.TaskArtifacts, (string id, TaskEndpoints e, CancellationToken ct) => e.GetArtifactAsync(id, null, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("ListTaskArtifacts", "The task's artifacts")
            .Produces<ArtifactListing>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        api.MapGet(ApiRoutes.TaskArtifact, (string id, string? path, TaskEndpoints e, CancellationToken ct) => e.GetArtifactAsync(id, path, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("GetTaskArtifact", "One artifact, as an untrusted download (attachment, nosniff)")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        api.MapPost(ApiRoutes.TaskApprove, (HttpRequest r, string id, TaskEndpoints e, CancellationToken ct) => e.ApproveAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Approve))
            .Describe("ApproveTask", "Approve what the task (or one role, with role) waits for")
            .Body<DecisionRequest>(optional: true)
            .Produces<DecisionAccepted>(StatusCodes.Status202Accepted)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapPost(ApiRoutes.TaskReject, (HttpRequest r, string id, TaskEndpoints e, CancellationToken ct) => e.RejectAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Approve))
            .Describe("RejectTask", "Reject what the task (or one role, with role) waits for")
            .Body<DecisionRequest>(optional: true)
            .Produces<DecisionAccepted>(StatusCodes.Status202Accepted)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapPost(ApiRoutes.TaskCancel, (HttpRequest r, string id, TaskEndpoints e, CancellationToken ct) => e.CancelAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Cancel))
            .Describe("CancelTask", "Cancel a task that has not ended")
            .Body<DecisionRequest>(optional: true)
            .Produces<DecisionAccepted>(StatusCodes.Status202Accepted)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        return api;
    }
}
