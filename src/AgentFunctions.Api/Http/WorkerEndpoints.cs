using System.Globalization;
using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Text;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>The pull API of remote workers: lease, heartbeat, complete, fail.</summary>
public sealed class WorkerEndpoints(ApiDependencies api, IWorkerLeases leases)
{
    public const int MaxWaitSeconds = 60;

    /// <summary>
    /// POST /workers/{role}/lease[?wait=N] { workerId, capabilities, waitSeconds, leaseSeconds }: 200 with an attempt whose
    /// requirements the capabilities cover, 204 when none arrives within the wait (or the role's circuit breaker holds them).
    /// </summary>
    public async Task<IResult> LeaseAsync(HttpRequest request, string role, CancellationToken cancellationToken)
    {
        var received = api.Time.GetUtcNow();
        if (CheckRole(role) is { } problem)
        {
            return problem;
        }

        using var body = await JsonBody.ReadAsync(request, api.SmallBodyBytes, optional: true, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        LeaseRequest? lease;
        try
        {
            lease = body.As<LeaseRequest>();
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest($"the lease request is not valid: {JsonTypeErrors.Describe<LeaseRequest>(ex)}");
        }

        var wait = lease?.WaitSeconds ?? 0;
        if (request.Query["wait"].ToString() is { Length: > 0 } waitText
            && !int.TryParse(waitText, NumberStyles.None, CultureInfo.InvariantCulture, out wait))
        {
            return ApiProblems.BadRequest($"wait: must be a whole number of seconds between 0 and {MaxWaitSeconds}");
        }

        if (wait is < 0 or > MaxWaitSeconds)
        {
            return ApiProblems.BadRequest($"wait: must be a whole number of seconds between 0 and {MaxWaitSeconds}");
        }

        var definition = api.Roles.Find(role)!;
        var maxLeaseSeconds = (int)definition.MaxLeaseDuration.TotalSeconds;
        var leaseSeconds = lease?.LeaseSeconds;
        if (request.Query["leaseSeconds"].ToString() is { Length: > 0 } leaseText)
        {
            leaseSeconds = int.TryParse(leaseText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
        }

        if (leaseSeconds is < 1)
        {
            return ApiProblems.BadRequest($"leaseSeconds: must be a whole number of seconds between 1 and {maxLeaseSeconds}");
        }

        if (leaseSeconds > maxLeaseSeconds)
        {
            // Refused rather than shortened: a worker planning hours of work must not find out when its lease lapses.
            return ApiProblems.BadRequest($"leaseSeconds: {leaseSeconds} is longer than role '{role}' allows ({maxLeaseSeconds} s, Roles:{role}:MaxLeaseSeconds)");
        }

        var workerId = lease?.WorkerId ?? request.Query["workerId"].ToString();
        if (workerId is { Length: > 200 })
        {
            return ApiProblems.BadRequest("workerId: must be at most 200 characters");
        }

        var named = (lease?.Capabilities ?? []).Concat(request.Query["capability"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!)).ToList();
        var (distinct, invalidAt) = Identifiers.DistinctCapabilities(named);
        if (invalidAt >= 0)
        {
            return ApiProblems.BadRequest($"capabilities[{invalidAt}]: '{Snippet.Of(named[invalidAt], 60)}' is not a valid capability name ({Identifiers.CapabilityPattern})");
        }

        var capabilities = distinct.ToHashSet(StringComparer.Ordinal);
        if (capabilities.Count > Identifiers.MaxCapabilities)
        {
            return ApiProblems.BadRequest($"capabilities: {capabilities.Count} given; a worker may name at most {Identifiers.MaxCapabilities}");
        }

        var taskId = lease?.TaskId ?? NullIfEmpty(request.Query["taskId"].ToString());
        if (taskId is not null && !Identifiers.IsValidTaskId(taskId))
        {
            return ApiProblems.BadRequest($"taskId: '{Snippet.Of(taskId, 60)}' is not a valid task id ({Identifiers.TaskIdPattern})");
        }

        TimeSpan? duration = leaseSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        var grant = await leases.LeaseAsync(role, string.IsNullOrEmpty(workerId) ? null : workerId, capabilities, taskId, TimeSpan.FromSeconds(wait), duration, cancellationToken);
        if (grant is null)
        {
            return TypedResults.NoContent();
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The worker hung up while the lease was granted: hand the attempt back rather than let its lease expire.
            await leases.ReleaseAsync(role, grant.LeaseId, CancellationToken.None);
            return TypedResults.NoContent();
        }

        var origin = RequestOrigin.Of(request);
        var leaseUri = $"{origin}/api/workers/{role}/leases/{Uri.EscapeDataString(grant.LeaseId)}";
        grant = grant with
        {
            HeartbeatUri = leaseUri + "/heartbeat",
            CompleteUri = leaseUri + "/complete",
            FailUri = leaseUri + "/fail",
            ReleaseUri = leaseUri + "/release",
            TraceParent = grant.Input.TraceParent,
            TraceState = grant.Input.TraceState,
        };
        WorkerSpans.RecordLease(grant, workerId, received, request);
        return TypedResults.Json(grant, CoreJson.Options);
    }

    /// <summary>POST .../heartbeat { progress?, message? }: the extended lease and whether the task was canceled; 410 when gone.</summary>
    public async Task<IResult> HeartbeatAsync(HttpRequest request, string role, string leaseId, CancellationToken cancellationToken)
    {
        if ((CheckRole(role) ?? CheckLeaseId(leaseId)) is { } problem)
        {
            return problem;
        }

        using var span = WorkerSpans.Start(SpanNames.Heartbeat, role, request);
        using var body = await JsonBody.ReadAsync(request, api.SmallBodyBytes, optional: true, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        HeartbeatRequest heartbeat;
        try
        {
            heartbeat = body.As<HeartbeatRequest>() ?? new HeartbeatRequest();
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest($"the heartbeat is not valid: {JsonTypeErrors.Describe<HeartbeatRequest>(ex)}");
        }

        if (heartbeat.Progress is { } progress && (!double.IsFinite(progress) || progress < 0 || progress > 1))
        {
            return ApiProblems.BadRequest("progress: must be a number between 0 and 1");
        }

        if (heartbeat.Message is { Length: > 2000 })
        {
            return ApiProblems.BadRequest("message: must be at most 2000 characters");
        }

        var extended = await leases.HeartbeatAsync(role, leaseId, heartbeat, cancellationToken);
        return extended is null ? LeaseGone(leaseId) : TypedResults.Json(extended, CoreJson.Options);
    }

    /// <summary>POST .../complete with an agent result; 410 when the lease is gone.</summary>
    public async Task<IResult> CompleteAsync(HttpRequest request, string role, string leaseId, CancellationToken cancellationToken)
    {
        if ((CheckRole(role) ?? CheckLeaseId(leaseId)) is { } problem)
        {
            return problem;
        }

        using var span = WorkerSpans.Start(SpanNames.Complete, role, request);
        using var body = await JsonBody.ReadAsync(request, api.Limits.MaxResultBodyBytes, optional: false, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (body.Document!.RootElement.ValueKind != JsonValueKind.Object)
        {
            return ApiProblems.BadRequest("the result must be a JSON object { \"status\", \"summary\", \"result\", \"artifacts\" }");
        }

        AgentResult result;
        try
        {
            result = body.Document.RootElement.Deserialize<AgentResult>(CoreJson.Options) ?? new AgentResult();
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest($"the result is not valid: {JsonTypeErrors.Describe<AgentResult>(ex)}");
        }

        var writer = new AttemptResultWriter(api.Artifacts, api.Limits, api.Time);
        var errors = writer.Validate(result);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors, "the result");
        }

        if (result.WorkerSpan?.Explain() is { } spanProblem)
        {
            return ApiProblems.BadRequest(spanProblem);
        }

        if (!await leases.CompleteAsync(role, leaseId, result with { WorkerSpan = null }, cancellationToken))
        {
            return LeaseGone(leaseId);
        }

        WorkerSpans.RecordWorker(result.WorkerSpan, role);
        return TypedResults.Json(new ResultAccepted(leaseId, Accepted: true), CoreJson.Options);
    }

    /// <summary>POST .../fail { reason, permanent }; 410 when the lease is gone.</summary>
    public async Task<IResult> FailAsync(HttpRequest request, string role, string leaseId, CancellationToken cancellationToken)
    {
        if ((CheckRole(role) ?? CheckLeaseId(leaseId)) is { } problem)
        {
            return problem;
        }

        using var span = WorkerSpans.Start(SpanNames.Fail, role, request);
        using var body = await JsonBody.ReadAsync(request, api.SmallBodyBytes, optional: true, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        FailRequest failure;
        try
        {
            failure = body.As<FailRequest>() ?? new FailRequest();
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest($"the failure is not valid: {JsonTypeErrors.Describe<FailRequest>(ex)}");
        }

        if (failure.Reason is { Length: > 4000 })
        {
            return ApiProblems.BadRequest("reason: must be at most 4000 characters");
        }

        if (failure.WorkerSpan?.Explain() is { } spanProblem)
        {
            return ApiProblems.BadRequest(spanProblem);
        }

        if (!await leases.FailAsync(role, leaseId, failure, cancellationToken))
        {
            return LeaseGone(leaseId);
        }

        WorkerSpans.RecordWorker(failure.WorkerSpan, role);
        return TypedResults.Json(new ResultAccepted(leaseId, Accepted: true), CoreJson.Options);
    }

    /// <summary>POST .../release: hands the attempt back without counting it; 410 when the lease is gone.</summary>
    public async Task<IResult> ReleaseAsync(HttpRequest request, string role, string leaseId, CancellationToken cancellationToken)
    {
        if ((CheckRole(role) ?? CheckLeaseId(leaseId)) is { } problem)
        {
            return problem;
        }

        using var span = WorkerSpans.Start(SpanNames.Release, role, request);
        return await leases.ReleaseAsync(role, leaseId, cancellationToken)
            ? TypedResults.Json(new LeaseReleased(leaseId, Released: true), CoreJson.Options)
            : LeaseGone(leaseId);
    }

    private IResult? CheckRole(string role)
    {
        if (!Identifiers.IsValidRole(role))
        {
            return ApiProblems.BadRequest($"'{Snippet.Of(role, 60)}' is not a valid role name ({Identifiers.RolePattern})");
        }

        if (api.Roles.Find(role) is not { } definition)
        {
            return ApiProblems.NotFound($"role '{role}' is not configured");
        }

        return definition.Runner == RunnerKind.Remote
            ? null
            : ApiProblems.NotFound($"role '{role}' is not a remote role (its runner is {CoreConfiguration.RunnerName(definition.Runner)}); workers cannot lease it");
    }

    private static IResult? CheckLeaseId(string leaseId) =>
        leaseId.Length is > 0 and <= 200 && leaseId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : ApiProblems.BadRequest("the lease id is not valid");

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static IResult LeaseGone(string leaseId) =>
        ApiProblems.Gone($"lease '{leaseId}' is gone (it expired, was completed, or its attempt was retried)");
}
