namespace AgentQ.Service;

/// <summary>The service managers <c>agentq worker install</c> writes for.</summary>
public enum ServiceFormat
{
    Systemd,
    Launchd,
}
