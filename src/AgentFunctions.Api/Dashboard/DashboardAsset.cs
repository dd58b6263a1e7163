namespace AgentFunctions.Api.Dashboard;

/// <summary>One embedded file of the dashboard, read once: its bytes, a gzip copy, and a strong ETag for each.</summary>
public sealed record DashboardAsset(string Name, string ContentType, ReadOnlyMemory<byte> Content, string ETag, ReadOnlyMemory<byte> Gzip, string GzipETag);
