namespace AgentFunctions.Api.Http;

/// <summary>
/// Endpoint metadata: the key scopes that may call it (any one suffices; <c>admin</c> always may).
/// <see cref="WorkerRoleRouteValue"/> names the route value whose role adds <c>worker:&lt;role&gt;</c>.
/// </summary>
public sealed record RequiredScope(IReadOnlyList<string> Scopes, string? WorkerRoleRouteValue = null)
{
    public static RequiredScope Of(params string[] scopes) => new(scopes);

    public static RequiredScope Worker(string routeValue) => new([], routeValue);
}
