using System.Security.Cryptography;
using System.Text;
using AgentFunctions.Api.Http;
using AgentFunctions.Core.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Standalone.Auth;

/// <summary>
/// Checks the <c>x-functions-key</c> header (or <c>code</c> query value, as Functions accepts)
/// against the configured keys and the endpoint's <see cref="RequiredScope"/>. Without keys,
/// only loopback clients are served. The caller's <see cref="CallerAccess"/> goes into the request's features,
/// for GET /api/whoami.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyOptions options)
{
    public const string HeaderName = "x-functions-key";

    private static readonly CallerAccess LoopbackAccess = new(null, ApiScopes.All, CallerAccess.FromLoopback);

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Without keys only loopback clients are served at all, health included (it names the data path).
        if (!options.Enabled)
        {
            if (context.Connection.RemoteIpAddress is { } address && !System.Net.IPAddress.IsLoopback(address))
            {
                await ApiProblems.Forbidden("no keys are configured, so only loopback clients are served").ExecuteAsync(context);
                return;
            }

            context.Features.Set(LoopbackAccess);
            await next(context);
            return;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }

        var scope = endpoint?.Metadata.GetMetadata<RequiredScope>();
        if (scope is null)
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[HeaderName].ToString();
        if (presented.Length == 0)
        {
            presented = context.Request.Query["code"].ToString();
        }

        if (presented.Length == 0)
        {
            await ApiProblems.Unauthorized($"a key is required: send it in the {HeaderName} header").ExecuteAsync(context);
            return;
        }

        var key = Find(presented);
        if (key is null)
        {
            await ApiProblems.Unauthorized("the key is not valid").ExecuteAsync(context);
            return;
        }

        context.Features.Set(new CallerAccess(key.Name, key.Scopes.Order(StringComparer.Ordinal).ToList(), CallerAccess.FromKey));
        var needed = scope.ScopesFor(context.Request.RouteValues);
        if (scope.AnyValidKey || key.Scopes.Contains(ApiScopes.Admin) || needed.Any(key.Scopes.Contains))
        {
            await next(context);
            return;
        }

        await ApiProblems.Forbidden($"key '{key.Name}' lacks the scope this request needs ({string.Join(" or ", needed.Where(name => name != ApiScopes.Worker("*")).Append(ApiScopes.Admin))})").ExecuteAsync(context);
    }

    private ApiKey? Find(string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        ApiKey? found = null;
        foreach (var key in options.Keys)
        {
            // Compare every key in constant time so timing does not reveal which prefix matched.
            if (CryptographicOperations.FixedTimeEquals(bytes, Encoding.UTF8.GetBytes(key.Key)))
            {
                found = key;
            }
        }

        return found;
    }
}
