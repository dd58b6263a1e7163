namespace AgentQ.Agent;

/// <summary>What <see cref="AttemptFolder"/> wrote (paths relative to the folder) and which downloads the key was refused.</summary>
public sealed record AttemptFiles(IReadOnlyList<string> Written, IReadOnlyList<string> Refused);
