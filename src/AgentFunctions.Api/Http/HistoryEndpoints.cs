using System.Globalization;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.History;
using AgentFunctions.Core.Json;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>A task's history: its events in order, paged.</summary>
public sealed class HistoryEndpoints(ITaskHistory history)
{
    /// <summary>GET /tasks/{id}/history?top=&amp;continuationToken=: 200 with a page of events; 404 unknown; 400 bad paging.</summary>
    public async Task<IResult> GetHistoryAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TaskEndpoints.InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var topText = request.Query["top"].ToString();
        var top = HistoryPaging.DefaultTop;
        if (topText.Length > 0 && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > HistoryPaging.MaxTop))
        {
            return ApiProblems.BadRequest($"top: must be a whole number between 1 and {HistoryPaging.MaxTop}");
        }

        var token = request.Query["continuationToken"].ToString();
        try
        {
            var page = await history.GetHistoryAsync(id, top, token.Length > 0 ? token : null, cancellationToken);
            return page is null ? TaskEndpoints.UnknownTask(id) : TypedResults.Json(page, CoreJson.Options);
        }
        catch (ArgumentException ex)
        {
            return ApiProblems.BadRequest($"continuationToken: {ex.Message}");
        }
    }
}
