using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Tests.Support;

/// <summary>An ASP.NET Core request for an HTTP trigger, and what its <see cref="IActionResult"/> wrote.</summary>
internal static class HttpCall
{
    public static HttpRequest Request(string method, string path, string? json = null, string query = "")
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider(),
        };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("agents.example.net");
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        if (json is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = "application/json";
        }

        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    public static async Task<Answer> RunAsync(HttpRequest request, IActionResult result)
    {
        await result.ExecuteResultAsync(new ActionContext(request.HttpContext, new RouteData(), new ActionDescriptor()));
        return await ReadAsync(request);
    }

    /// <summary>What was written to the request's response.</summary>
    public static async Task<Answer> ReadAsync(HttpRequest request)
    {
        var response = request.HttpContext.Response;
        response.Body.Position = 0;
        var text = await new StreamReader(response.Body).ReadToEndAsync();
        return new Answer(response.StatusCode, response.Headers.Location.ToString(), response.ContentType, text);
    }

    internal sealed record Answer(int Status, string Location, string? ContentType, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
    }
}
