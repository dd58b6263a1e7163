using AgentFunctions.Api.Logging;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Api.Http;

/// <summary>
/// Unhandled exceptions as problem+json for a host that runs ASP.NET Core's exception handler middleware (the
/// Standalone server), with the answer the Functions triggers give for the same exception. The middleware leaves
/// exceptions a handler took to the handler to log: a request the server could not read (a body too slow or cut
/// short) or could not take (storage full, busy) is one line; a real failure is logged with its stack under the
/// trace id the answer names.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var answer = ApiProblems.ForException(exception, httpContext);
        var status = (answer as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status500InternalServerError;
        var request = httpContext.Request;
        if (status == StatusCodes.Status500InternalServerError)
        {
            logger.RequestFailed(exception, request.Method, request.Path, ApiProblems.TraceIdOf(httpContext));
        }
        else
        {
            logger.RequestUnreadable(request.Method, request.Path, status, exception.Message);
        }

        await answer.ExecuteAsync(httpContext);
        return true;
    }
}
