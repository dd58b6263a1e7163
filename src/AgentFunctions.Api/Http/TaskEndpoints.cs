using System.Globalization;
using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Text;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>Submit, read, list, decide and cancel tasks; read their results and artifacts.</summary>
public sealed class TaskEndpoints(ApiDependencies api, ITaskEngine tasks)
{
    public const int DefaultTop = 50;
    public const int MaxTop = 1000;

    /// <summary>POST /tasks: 202 + Location for a new task, 200 for an identical resubmission, 400/409/413/415 otherwise.</summary>
    public async Task<IResult> SubmitAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The body limit leaves room for JSON escaping of a context at its limit.
        using var body = await JsonBody.ReadAsync(request, api.Limits.MaxSubmitBodyBytes, optional: false, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var validation = api.Validator.Validate(body.Document!.RootElement, body.Bytes);
        if (!validation.IsValid)
        {
            return ApiProblems.Invalid(validation.Errors, "the task spec");
        }

        var spec = validation.Spec!;
        if (spec.Id is null)
        {
            spec = spec with { Id = "t-" + Guid.CreateVersion7(api.Time.GetUtcNow()).ToString("N") };
        }

        var plan = TaskPlan.Create(spec, api.Roles, api.Workflow);
        var submitted = await tasks.SubmitAsync(plan, cancellationToken);
        var payload = api.ManagementUrls.Create(plan.Id, request);
        return submitted.Outcome switch
        {
            SubmitOutcome.Created => Accepted(payload),
            SubmitOutcome.Identical => TypedResults.Json(payload, CoreJson.Options, statusCode: StatusCodes.Status200OK),
            _ => ApiProblems.Conflict($"task '{plan.Id}' already exists with a different spec; choose another id"),
        };
    }

    /// <summary>GET /tasks/{id}: the task view.</summary>
    public async Task<IResult> GetAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var task = await tasks.GetAsync(id, cancellationToken);
        return task is null ? UnknownTask(id) : TypedResults.Json(WithLinks(task.View, request), CoreJson.Options);
    }

    /// <summary>GET /tasks?state=&amp;role=&amp;type=&amp;top=&amp;continuationToken=: newest first.</summary>
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var query = request.Query;
        AgentTaskStatus? state = null;
        if (query["state"].ToString() is { Length: > 0 } stateText)
        {
            if (!Names.TryParse<AgentTaskStatus>(stateText, out var parsed))
            {
                var states = string.Join(", ", Enum.GetValues<AgentTaskStatus>().Select(Names.Of));
                return ApiProblems.BadRequest($"state: '{stateText}' is not a task state ({states})");
            }

            state = parsed;
        }

        var role = query["role"].ToString();
        if (role.Length > 0 && !Identifiers.IsValidRole(role))
        {
            return ApiProblems.BadRequest($"role: '{role}' is not a valid role name ({Identifiers.RolePattern})");
        }

        var type = query["type"].ToString();
        if (type.Length > 0 && !Identifiers.IsValidTaskType(type))
        {
            return ApiProblems.BadRequest($"type: '{Snippet.Of(type)}' is not a valid task type ({Identifiers.TaskTypePattern})");
        }

        if (ParseTop(query["top"].ToString()) is not { } top)
        {
            return ApiProblems.BadRequest($"top: must be a whole number between 1 and {MaxTop}");
        }

        var token = query["continuationToken"].ToString();
        Page<TaskSnapshot> page;
        try
        {
            page = await tasks.ListAsync(new TaskQuery(state, role.Length > 0 ? role : null, type.Length > 0 ? type : null, top, token.Length > 0 ? token : null), cancellationToken);
        }
        catch (ArgumentException ex)
        {
            return ApiProblems.BadRequest($"continuationToken: {ex.Message}");
        }

        var items = page.Items.Select(t => WithLinks(t.View, request)).ToList();
        return TypedResults.Json(new Page<TaskView>(items, page.ContinuationToken), CoreJson.Options);
    }

    /// <summary>GET /tasks/{id}/result: 200 once the task has ended, 409 while it runs.</summary>
    public async Task<IResult> GetResultAsync(string id, CancellationToken cancellationToken)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var task = await tasks.GetAsync(id, cancellationToken);
        if (task is null)
        {
            return UnknownTask(id);
        }

        return task.Result is null
            ? ApiProblems.Conflict($"task '{id}' has not finished yet ({Names.Of(task.View.State)})")
            : TypedResults.Json(task.Result, CoreJson.Options);
    }

    /// <summary>GET /tasks/{id}/artifacts[/{*path}]: the task's artifact list, or one artifact as an untrusted download.</summary>
    public async Task<IResult> GetArtifactAsync(string id, string? path, CancellationToken cancellationToken)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        if (!string.IsNullOrEmpty(path) && ArtifactPath.Explain(path) is { } problem)
        {
            return ApiProblems.BadRequest($"artifact path '{Snippet.Of(path)}': {problem}");
        }

        if (await tasks.GetAsync(id, cancellationToken) is null)
        {
            return UnknownTask(id);
        }

        await tasks.WhenArtifactsWrittenAsync(id, cancellationToken);
        var prefix = ArtifactLayout.TaskPrefix(id);
        if (string.IsNullOrEmpty(path))
        {
            var items = new List<ArtifactListingItem>();
            await foreach (var info in api.Artifacts.ListAsync(prefix, cancellationToken))
            {
                items.Add(new ArtifactListingItem(info.Path[prefix.Length..], info.Length, info.LastModified, info.ContentType));
            }

            return TypedResults.Json(new ArtifactListing(id, items), CoreJson.Options);
        }

        var content = await api.Artifacts.OpenReadAsync(prefix + path, cancellationToken);
        if (content is null)
        {
            return ApiProblems.NotFound($"task '{id}' has no artifact '{path}'");
        }

        return new UntrustedDownload(content, path[(path.LastIndexOf('/') + 1)..]);
    }

    public Task<IResult> ApproveAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        DecideAsync(request, id, ApprovalDecision.Approve, cancellationToken);

    public Task<IResult> RejectAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        DecideAsync(request, id, ApprovalDecision.Reject, cancellationToken);

    /// <summary>POST /tasks/{id}/cancel { by, reason }: 202; 404 unknown; 409 when it has ended.</summary>
    public async Task<IResult> CancelAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var (decision, problem) = await ReadDecisionAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var task = await tasks.GetAsync(id, cancellationToken);
        if (task is null)
        {
            return UnknownTask(id);
        }

        if (TaskViewGuards.ExplainCancelConflict(task.View) is { } conflict)
        {
            return ApiProblems.Conflict(conflict);
        }

        var raised = await tasks.RaiseAsync(id, new CancelRequested(decision!.By, decision.Reason ?? decision.Note), cancellationToken);
        return raised switch
        {
            RaiseOutcome.NotFound => UnknownTask(id),
            RaiseOutcome.Ignored => ApiProblems.Conflict($"task '{id}' ended while the cancel was on its way"),
            _ => AcceptedDecision(id, "cancel", request),
        };
    }

    private async Task<IResult> DecideAsync(HttpRequest request, string id, ApprovalDecision verdict, CancellationToken cancellationToken)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var (decision, problem) = await ReadDecisionAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var task = await tasks.GetAsync(id, cancellationToken);
        if (task is null)
        {
            return UnknownTask(id);
        }

        if (TaskViewGuards.ExplainDecisionConflict(task.View, decision!.Role) is { } conflict)
        {
            return ApiProblems.Conflict(conflict);
        }

        var note = verdict == ApprovalDecision.Reject ? decision.Reason ?? decision.Note : decision.Note ?? decision.Reason;
        var raised = await tasks.RaiseAsync(id, new ApprovalDecided(verdict, decision.By, note, decision.Role), cancellationToken);
        return raised switch
        {
            RaiseOutcome.NotFound => UnknownTask(id),
            RaiseOutcome.Ignored => ApiProblems.Conflict($"task '{id}' is no longer awaiting this decision (it was decided, timed out or ended meanwhile)"),
            _ => AcceptedDecision(id, verdict == ApprovalDecision.Approve ? "approve" : "reject", request),
        };
    }

    /// <summary>Reads an optional decision body and checks its fields.</summary>
    private async Task<(DecisionRequest? Decision, IResult? Problem)> ReadDecisionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await JsonBody.ReadAsync(request, api.SmallBodyBytes, optional: true, cancellationToken);
        if (body.Problem is not null)
        {
            return (null, body.Problem);
        }

        var errors = new List<FieldError>();
        var decision = new DecisionRequest();
        if (body.Document is { } document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiProblems.BadRequest("the request body must be a JSON object such as { \"by\": \"...\", \"note\": \"...\" }"));
            }

            decision = new DecisionRequest
            {
                By = ReadText(root, "by", 200, errors),
                Note = ReadText(root, "note", 4000, errors),
                Reason = ReadText(root, "reason", 4000, errors),
                Role = ReadText(root, "role", 40, errors),
            };
            if (decision.Role is { } role && !Identifiers.IsValidRole(role))
            {
                errors.Add(new FieldError("role", $"'{role}' is not a valid role name ({Identifiers.RolePattern})"));
            }
        }

        return errors.Count > 0 ? (null, ApiProblems.Invalid(errors, "the request")) : (decision, null);
    }

    private static string? ReadText(JsonElement root, string name, int maxLength, List<FieldError> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError(name, "must be a string"));
            return null;
        }

        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            errors.Add(new FieldError(name, $"must be at most {maxLength} characters"));
            return null;
        }

        return text;
    }

    private IResult Accepted(ManagementPayload payload) =>
        new AcceptedWithLocation(payload.StatusQueryGetUri, payload);

    private IResult AcceptedDecision(string id, string action, HttpRequest request)
    {
        var links = TaskViewProjector.LinksFor(id, RequestOrigin.Of(request));
        return new AcceptedWithLocation(links.Self, new DecisionAccepted(id, action, Accepted: true, links.StatusQuery, links.Self));
    }

    private static TaskView WithLinks(TaskView view, HttpRequest request) =>
        view with { Links = TaskViewProjector.LinksFor(view.Id, RequestOrigin.Of(request)) };

    internal static IResult? InvalidId(string id) => Identifiers.IsValidTaskId(id)
        ? null
        : ApiProblems.BadRequest($"'{Snippet.Of(id)}' is not a valid task id ({Identifiers.TaskIdPattern})");

    internal static IResult UnknownTask(string id) => ApiProblems.NotFound($"task '{id}' does not exist");

    private static int? ParseTop(string text)
    {
        if (text.Length == 0)
        {
            return DefaultTop;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var top) && top is >= 1 and <= MaxTop ? top : null;
    }
}
