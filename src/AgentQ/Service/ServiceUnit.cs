namespace AgentQ.Service;

/// <summary>A filled-in service definition: its file name and text, and where it belongs on this machine.</summary>
public sealed record ServiceUnit(ServiceFormat Format, string FileName, string Text, string DefaultDirectory);
