namespace AgentFunctions.Core.Security;

/// <summary>What the server does with a secret found in a submitted task (<c>Security:SecretScan</c>).</summary>
public enum SecretScanMode
{
    /// <summary>Refuse the task (422), naming the kind and position of each finding; nothing is stored.</summary>
    Reject,

    /// <summary>Accept the task with a warning per finding in its view.</summary>
    Flag,

    /// <summary>Do not scan.</summary>
    Off,
}
