using System.Net;
using System.Net.Sockets;

namespace AgentFunctions.Testing;

/// <summary>Ports on 127.0.0.1 for services a test starts.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now: the OS picks it for a listener that is closed again at once.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
