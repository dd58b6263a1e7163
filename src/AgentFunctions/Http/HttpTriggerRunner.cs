using AgentFunctions.Api.Http;
using AgentFunctions.Hosting;
using AgentFunctions.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Http;

/// <summary>
/// What every HTTP trigger does around its API handler: puts the invocation's Durable client (if it has one) in scope for the engine,
/// runs the handler, and answers an exception with the problem+json the Standalone server gives for it
/// (<see cref="ApiProblems.ForException"/>), logged, instead of the host's bare 500.
/// </summary>
public sealed class HttpTriggerRunner(DurableClientAccessor clients, ILogger<HttpTriggerRunner> logger)
{
    public async Task<IActionResult> RunAsync(HttpRequest request, DurableTaskClient client, Func<Task<IResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var scope = clients.Use(client);
        return await RunAsync(request, handler);
    }

    /// <summary>For a trigger that does not touch the engine (the dashboard's files): no Durable client to put in scope.</summary>
    public async Task<IActionResult> RunAsync(HttpRequest request, Func<Task<IResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            return new ApiActionResult(await handler());
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The caller went away and reads no answer; 499 is what ASP.NET Core's exception handler records for it too.
            return new StatusCodeResult(StatusCodes.Status499ClientClosedRequest);
        }
        catch (Exception exception)
        {
            var answer = ApiProblems.ForException(exception, request.HttpContext);
            var status = (answer as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status500InternalServerError;
            logger.HttpTriggerFailed(status >= 500 ? LogLevel.Error : LogLevel.Information, request.Method, request.Path, status, exception);
            return new ApiActionResult(answer);
        }
    }
}
