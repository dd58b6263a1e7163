using System.Globalization;
using System.Text.RegularExpressions;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Text;
using AgentFunctions.Core.Telemetry;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>List, show, replay and delete dead letters.</summary>
public sealed partial class DeadLetterEndpoints(ApiDependencies api, IDeadLetterEngine deadLetters)
{
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var top = TaskEndpoints.DefaultTop;
        if (query["top"].ToString() is { Length: > 0 } topText
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > TaskEndpoints.MaxTop))
        {
            return ApiProblems.BadRequest($"top: must be a whole number between 1 and {TaskEndpoints.MaxTop}");
        }

        var taskId = query["taskId"].ToString();
        if (taskId.Length > 0 && TaskEndpoints.InvalidId(taskId) is { } invalid)
        {
            return invalid;
        }

        var role = query["role"].ToString();
        if (role.Length > 0 && !Identifiers.IsValidRole(role))
        {
            return ApiProblems.BadRequest($"role: '{role}' is not a valid role name ({Identifiers.RolePattern})");
        }

        var token = query["continuationToken"].ToString();
        try
        {
            var page = await deadLetters.ListDeadLettersAsync(
                new DeadLetterQuery(top, token.Length > 0 ? token : null, taskId.Length > 0 ? taskId : null, role.Length > 0 ? role : null),
                cancellationToken);
            return TypedResults.Json(page, CoreJson.Options);
        }
        catch (ArgumentException ex)
        {
            return ApiProblems.BadRequest($"continuationToken: {ex.Message}");
        }
    }

    public async Task<IResult> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var record = await deadLetters.GetDeadLetterAsync(id, cancellationToken);
        return record is null ? Unknown(id) : TypedResults.Json(record, CoreJson.Options);
    }

    /// <summary>POST /deadletters/{id}/replay: 202 with the new task's management payload.</summary>
    public async Task<IResult> ReplayAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        // The replayed task's trace starts under this span.
        using var trace = TaskSpans.Start(SpanNames.Replay, request);
        trace.Span?.SetTag(TelemetryTags.DeadLetterId, id);
        var replay = await deadLetters.ReplayDeadLetterAsync(id, cancellationToken);
        trace.Span?.SetTag(TelemetryTags.TaskId, replay.TaskId);
        switch (replay.Outcome)
        {
            case ReplayOutcome.NotFound:
                return Unknown(id);
            case ReplayOutcome.Conflict:
                return ApiProblems.Conflict(replay.Detail ?? $"dead letter '{id}' cannot be replayed");
            default:
                var payload = api.ManagementUrls.Create(replay.TaskId!, request);
                return new AcceptedWithLocation(payload.StatusQueryGetUri, new ReplayAccepted(id, replay.TaskId!, payload));
        }
    }

    public async Task<IResult> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        return await deadLetters.DeleteDeadLetterAsync(id, cancellationToken)
            ? TypedResults.NoContent()
            : Unknown(id);
    }

    private static IResult? InvalidId(string id) => DeadLetterIdRegex().IsMatch(id)
        ? null
        : ApiProblems.BadRequest($"'{Snippet.Of(id)}' is not a valid dead-letter id");

    private static IResult Unknown(string id) => ApiProblems.NotFound($"dead letter '{id}' does not exist");

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._~-]{0,200}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DeadLetterIdRegex();
}
