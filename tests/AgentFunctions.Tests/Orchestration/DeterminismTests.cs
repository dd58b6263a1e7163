using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using AgentFunctions.Orchestration;

namespace AgentFunctions.Tests.Orchestration;

/// <summary>
/// Orchestrator code is replayed: it may only use the context's clock, ids, timers and waits. These tests fail
/// when code in <c>AgentFunctions.Orchestration</c> reaches for the wall clock, new GUIDs, real delays, threads
/// or I/O — by reading the source and by reading the compiled IL (lambdas and async state machines included).
/// </summary>
public sealed partial class DeterminismTests
{
    private static readonly (Type Type, string? Member)[] Forbidden =
    [
        (typeof(DateTime), "get_Now"),
        (typeof(DateTime), "get_UtcNow"),
        (typeof(DateTime), "get_Today"),
        (typeof(DateTimeOffset), "get_Now"),
        (typeof(DateTimeOffset), "get_UtcNow"),
        (typeof(Guid), "NewGuid"),
        (typeof(Guid), "CreateVersion7"),
        (typeof(Task), "Delay"),
        (typeof(Task), "Run"),
        (typeof(Thread), "Sleep"),
        (typeof(TimeProvider), null),
        (typeof(Random), null),
        (typeof(Environment), null),
        (typeof(System.Diagnostics.Stopwatch), null),
        (typeof(File), null),
        (typeof(Directory), null),
        (typeof(FileStream), null),
        (typeof(HttpClient), null),
    ];

    [Fact]
    public void Orchestrator_source_uses_no_clock_guid_delay_sleep_or_io()
    {
        var folder = Path.Combine(RepositoryRoot(), "src", "AgentFunctions", "Orchestration");
        var files = Directory.GetFiles(folder, "*.cs");
        Assert.NotEmpty(files);

        var offences = files
            .SelectMany(file => File.ReadAllLines(file).Select((line, index) => (file, line, index)))
            .Where(x => ForbiddenSource().IsMatch(x.line))
            .Select(x => $"{Path.GetFileName(x.file)}:{x.index + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offences.Count == 0, "Non-deterministic code in orchestrations:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void Orchestrator_il_calls_no_clock_guid_delay_sleep_or_io()
    {
        var types = typeof(AgentTaskOrchestrator).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(AgentTaskOrchestrator).Namespace)
            .ToList();
        Assert.Contains(types, t => t.Name.Contains("AgentTaskRun", StringComparison.Ordinal));
        Assert.Contains(types, t => t.DeclaringType is not null); // state machines and closures are scanned too

        var offences = types.SelectMany(ForbiddenCalls).ToList();
        Assert.True(offences.Count == 0, "Non-deterministic calls in orchestrations:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void The_il_scan_notices_a_wall_clock_read()
    {
        // The scanner itself is checked against a type that does what orchestrators must not.
        var offences = ForbiddenCalls(typeof(WallClockReader)).ToList();
        Assert.Contains(offences, o => o.Contains("get_UtcNow", StringComparison.Ordinal));
        Assert.Contains(offences, o => o.Contains("NewGuid", StringComparison.Ordinal));
    }

    private static IEnumerable<string> ForbiddenCalls(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var methods = type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
        foreach (var method in methods)
        {
            foreach (var called in CalledMembers(method))
            {
                var declaring = called.DeclaringType;
                if (declaring is null)
                {
                    continue;
                }

                foreach (var (forbiddenType, member) in Forbidden)
                {
                    if ((declaring == forbiddenType || declaring.IsSubclassOf(forbiddenType)) && (member is null || called.Name == member))
                    {
                        yield return $"{type.FullName}.{method.Name} calls {declaring.Name}.{called.Name}";
                    }
                }
            }
        }
    }

    private static IEnumerable<MemberInfo> CalledMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            OpCode code;
            if (il[position] == 0xFE)
            {
                code = TwoByte[il[position + 1]];
                position += 2;
            }
            else
            {
                code = OneByte[il[position]];
                position += 1;
            }

            var operandSize = OperandSize(code.OperandType, il, position);
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField)
            {
                var token = BitConverter.ToInt32(il, position);
                MemberInfo? member = null;
                try
                {
                    member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    // Tokens of generic members whose context cannot be resolved here are skipped.
                }

                if (member is not null)
                {
                    yield return member;
                }
            }

            position += operandSize;
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int position) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
        _ => 4,
    };

    private static readonly OpCode[] OneByte = OpCodesBy(twoByte: false);

    private static readonly OpCode[] TwoByte = OpCodesBy(twoByte: true);

    private static OpCode[] OpCodesBy(bool twoByte)
    {
        var table = new OpCode[256];
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (twoByte && code.Size == 2)
            {
                table[value & 0xFF] = code;
            }
            else if (!twoByte && code.Size == 1)
            {
                table[value] = code;
            }
        }

        return table;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentFunctions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("AgentFunctions.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"\bDateTime(Offset)?\.(Now|UtcNow|Today)\b|\bGuid\.(NewGuid|CreateVersion7)\b|\bTask\.(Delay|Run)\b|\bThread\.Sleep\b|\bTimeProvider\b|\bnew Random\b|\bEnvironment\.|\b(File|Directory|FileStream|HttpClient|Stopwatch)\b")]
    private static partial Regex ForbiddenSource();

    private static class WallClockReader
    {
        public static string Read() => DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid();
    }
}
