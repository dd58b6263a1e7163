namespace AgentFunctions.Core.Contracts;

/// <summary>
/// What <c>GET /api/whoami</c> returns: what the caller's key may do, so a client (the dashboard) can show the
/// controls it may not use as disabled. <see cref="Source"/> says where the scopes come from: <c>key</c> (a configured
/// Standalone key, named by <see cref="KeyName"/>), <c>loopback</c> (no keys configured: every loopback caller may do
/// everything) or <c>host</c> (the Functions host checked a function key, which may call every route).
/// </summary>
public sealed record CallerAccess(string? KeyName, IReadOnlyList<string> Scopes, string Source)
{
    public const string FromKey = "key";
    public const string FromLoopback = "loopback";
    public const string FromHost = "host";
}
