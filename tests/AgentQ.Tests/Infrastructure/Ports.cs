using System.Net;
using System.Net.Sockets;

namespace AgentQ.Tests.Infrastructure;

internal static class Ports
{
    /// <summary>A 127.0.0.1 port nothing listens on: bound by the OS, then released.</summary>
    public static string ClosedUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }
}
