using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>
/// Unhandled exceptions as problem+json for a host that runs ASP.NET Core's exception handler middleware (the
/// Standalone server), with the answer the Functions triggers give for the same exception.
/// </summary>
public sealed class ApiExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        await ApiProblems.ForException(exception, httpContext).ExecuteAsync(httpContext);
        return true;
    }
}
