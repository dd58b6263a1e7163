using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>
/// GET /whoami: the scopes of the caller's key. A host that scopes keys itself (the Standalone server) puts the
/// caller's <see cref="CallerAccess"/> in the request's features once it checked the key; where none is there, the
/// host admitted the request with a key that is not scoped (a Functions key), so every scope is answered.
/// </summary>
public sealed class AccessEndpoints
{
    public IResult WhoAmI(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var access = context.Features.Get<CallerAccess>() ?? new CallerAccess(null, ApiScopes.All, CallerAccess.FromHost);
        return TypedResults.Json(access, CoreJson.Options);
    }
}
