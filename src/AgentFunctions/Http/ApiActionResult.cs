using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AgentFunctions.Http;

/// <summary>
/// Runs an API handler's <see cref="IResult"/> as the <see cref="IActionResult"/> the Functions ASP.NET Core
/// integration executes, so status codes, headers and bodies are exactly the handler's.
/// </summary>
public sealed class ApiActionResult(IResult result) : IActionResult
{
    public IResult Result => result;

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return result.ExecuteAsync(context.HttpContext);
    }
}
