using System.Globalization;
using AgentFunctions.Api.Http;
using AgentFunctions.Core.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>
/// Admits a request with a body only while <see cref="BodyBudget"/> has room for it, before a byte of it is read:
/// otherwise 503 problem+json with Retry-After (a client sending <c>Expect: 100-continue</c> then never sends the
/// body). A body of declared length takes that many bytes; one without (chunked) takes the largest body any route
/// accepts. The bytes go back when the request has been answered.
/// </summary>
public sealed class BodyBudgetMiddleware(RequestDelegate next, BodyBudget budget, TaskLimits limits)
{
    /// <summary>How long a refused client waits: a large body takes about this long to be taken in and stored.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Bodies from this size on leave enough garbage behind to be worth a collection once answered.</summary>
    private const long LargeBody = 8L * 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        var bytes = context.Request.ContentLength ?? (canHaveBody ? limits.MaxAnyBodyBytes : 0);
        if (bytes <= 0)
        {
            await next(context);
            return;
        }

        if (!budget.TryReserve(bytes))
        {
            context.Response.Headers.RetryAfter = ApiProblems.RetryAfterSeconds(RetryAfter);
            await ApiProblems.Problem(
                StatusCodes.Status503ServiceUnavailable,
                "Service unavailable",
                string.Create(CultureInfo.InvariantCulture, $"the server holds as many request bodies as it may ({budget.Held} bytes in flight, Standalone:MaxInFlightBodyBytes {budget.Limit}); this one ({bytes} bytes) was not read. Retry after the Retry-After delay")).ExecuteAsync(context);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            if (budget.Release(bytes) == 0 && bytes >= LargeBody)
            {
                // The last large body of a burst is answered: its buffers, strings and decoded artifacts are garbage on
                // the large object heap, which the GC would otherwise keep (and the process's memory with it) until
                // more allocations force a full collection. Collect and give the memory back to the system now.
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
            else if (bytes >= LargeBody)
            {
                // Mid-burst, a background collection keeps the garbage of answered bodies from piling up.
                GC.Collect(2, GCCollectionMode.Forced, blocking: false);
            }
        }
    }
}
