using System.Text.Json;
using AgentFunctions.Core.Json;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>202 Accepted with a Location header and a JSON body in the contract dialect.</summary>
public sealed class AcceptedWithLocation(string location, object body) : IResult
{
    public string Location => location;

    public object Body => body;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status202Accepted;
        response.Headers.Location = location;
        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, body, body.GetType(), CoreJson.Options, httpContext.RequestAborted);
    }
}
