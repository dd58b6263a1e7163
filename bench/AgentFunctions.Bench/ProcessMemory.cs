using System.Globalization;

namespace AgentFunctions.Bench;

internal static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) of process <paramref name="processId"/>, in MiB; NaN where /proc does not say.</summary>
    public static double PeakRssMiB(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }

        return double.NaN;
    }
}
