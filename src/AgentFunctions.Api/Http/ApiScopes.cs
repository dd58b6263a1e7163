namespace AgentFunctions.Api.Http;

/// <summary>Key scopes of the Standalone server (Functions uses function keys instead).</summary>
public static class ApiScopes
{
    public const string Submit = "submit";
    public const string Read = "read";
    public const string Approve = "approve";
    public const string Cancel = "cancel";
    public const string Admin = "admin";

    /// <summary>Worker scopes are per role: <c>worker:&lt;role&gt;</c> (or <c>worker:*</c>).</summary>
    public const string WorkerPrefix = "worker:";

    public static string Worker(string role) => WorkerPrefix + role;

    /// <summary>Every scope: what a key that is not scoped (a Functions key, or any loopback caller without keys) may do.</summary>
    public static IReadOnlyList<string> All { get; } = [Submit, Read, Approve, Cancel, Admin, Worker("*")];
}
