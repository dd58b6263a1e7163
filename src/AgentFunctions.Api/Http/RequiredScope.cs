using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>
/// Endpoint metadata: the key scopes that may call it (any one suffices; <c>admin</c> always may).
/// <see cref="WorkerRoleRouteValue"/> names the route value whose role adds <c>worker:&lt;role&gt;</c>;
/// <see cref="EventNameRouteValue"/> names the route value whose Durable event name decides the scope;
/// <see cref="AnyValidKey"/> admits every valid key, whatever its scopes.
/// </summary>
public sealed record RequiredScope(IReadOnlyList<string> Scopes, string? WorkerRoleRouteValue = null, string? EventNameRouteValue = null)
{
    /// <summary>Any valid key may call it (GET /whoami: a key asks what it may do).</summary>
    public static RequiredScope AnyKey { get; } = new([]) { AnyValidKey = true };

    public bool AnyValidKey { get; init; }

    public static RequiredScope Of(params string[] scopes) => new(scopes);

    public static RequiredScope Worker(string routeValue) => new([], routeValue);

    /// <summary>Raising <c>approval</c> needs <c>approve</c>, <c>cancel</c> needs <c>cancel</c>, any other event <c>admin</c>.</summary>
    public static RequiredScope Event(string routeValue) => new([], EventNameRouteValue: routeValue);

    /// <summary>The scopes that admit a request with these route values, besides <c>admin</c>.</summary>
    public IReadOnlyList<string> ScopesFor(RouteValueDictionary routeValues)
    {
        ArgumentNullException.ThrowIfNull(routeValues);
        var scopes = Scopes.ToList();
        if (WorkerRoleRouteValue is { } roleValue && routeValues[roleValue] is string role)
        {
            scopes.Add(ApiScopes.Worker(role));
            scopes.Add(ApiScopes.Worker("*"));
        }

        if (EventNameRouteValue is { } eventValue && routeValues[eventValue] is string eventName)
        {
            // Names match as the event handler matches them (ordinal): any other name has no effect.
            switch (eventName)
            {
                case ApiRoutes.ApprovalEvent:
                    scopes.Add(ApiScopes.Approve);
                    break;
                case ApiRoutes.CancelEvent:
                    scopes.Add(ApiScopes.Cancel);
                    break;
            }
        }

        return scopes;
    }
}
