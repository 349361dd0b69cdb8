using System.Runtime.InteropServices;
using System.Text;

namespace RControl.Transports.Local;

/// <summary>
/// Starts a program with <c>posix_spawn</c> in a new session (<c>POSIX_SPAWN_SETSID</c>: its own process group, so
/// a kill of the group reaches every process it starts), every signal at its default disposition (.NET ignores
/// SIGPIPE and children would inherit that) and an empty signal mask — without the extra execs of
/// <c>setsid</c> and <c>env --default-signal</c>. File descriptors are given explicitly; every other descriptor of
/// this process is close-on-exec.
/// </summary>
internal static unsafe class PosixSpawn
{
    /// <summary>
    /// What the child's descriptors 0, 1 and 2 are: a descriptor of ours, or <c>/dev/null</c> when -1; and, when not -1,
    /// a descriptor of ours given to the child as its descriptor 3.
    /// </summary>
    public readonly record struct Descriptors(int Stdin, int Stdout, int Stderr, int Extra = -1);

    /// <summary>Starts <paramref name="argv"/>[0] and returns its pid; throws naming the error when it cannot start.</summary>
    public static int Start(IReadOnlyList<string> argv, IEnumerable<KeyValuePair<string, string>> environment, string? workingDirectory, Descriptors descriptors)
    {
        var attributes = NativeMemory.AllocZeroed(Posix.OpaqueSize);
        var actions = NativeMemory.AllocZeroed(Posix.OpaqueSize);
        var signals = NativeMemory.AllocZeroed(Posix.OpaqueSize);
        using var strings = new NativeStrings();
        try
        {
            Check(Posix.SpawnAttrInit(attributes), "posix_spawnattr_init");
            Check(Posix.FileActionsInit(actions), "posix_spawn_file_actions_init");
            try
            {
                Check(Posix.SpawnAttrSetFlags(attributes, Posix.SpawnSetSid | Posix.SpawnSetSigDef | Posix.SpawnSetSigMask), "posix_spawnattr_setflags");
                Posix.SigFillSet(signals);
                Check(Posix.SpawnAttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");
                Posix.SigEmptySet(signals);
                Check(Posix.SpawnAttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");

                var devNull = strings.Add("/dev/null");
                Redirect(actions, descriptors.Stdin, 0, devNull, Posix.ORdonly);
                Redirect(actions, descriptors.Stdout, 1, devNull, Posix.ORdwr);
                Redirect(actions, descriptors.Stderr, 2, devNull, Posix.ORdwr);
                if (descriptors.Extra >= 0)
                {
                    Check(Posix.FileActionsAddDup2(actions, descriptors.Extra, 3), "posix_spawn_file_actions_adddup2");
                }
                if (workingDirectory is not null)
                {
                    Check(Posix.FileActionsAddChdir(actions, strings.Add(workingDirectory)), "posix_spawn_file_actions_addchdir_np");
                }

                var args = strings.Array(argv);
                var env = strings.Array(environment.Select(e => e.Key + "=" + e.Value).ToArray());
                int pid;
                var error = Posix.Spawn(&pid, args[0], actions, attributes, args, env);
                if (error != 0)
                {
                    throw new IOException($"cannot start {argv[0]}: {new System.ComponentModel.Win32Exception(error).Message}");
                }

                return pid;
            }
            finally
            {
                Posix.FileActionsDestroy(actions);
                Posix.SpawnAttrDestroy(attributes);
            }
        }
        finally
        {
            NativeMemory.Free(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(signals);
        }
    }

    /// <summary>The environment of this process with <paramref name="overrides"/> applied.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Environment(IReadOnlyDictionary<string, string>? overrides)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    private static void Redirect(void* actions, int fd, int target, byte* devNull, int devNullFlags)
    {
        var result = fd < 0
            ? Posix.FileActionsAddOpen(actions, target, devNull, devNullFlags, 0)
            : Posix.FileActionsAddDup2(actions, fd, target);
        Check(result, "posix_spawn_file_actions");
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new IOException($"{what} failed: errno {error}");
        }
    }

    /// <summary>NUL-terminated UTF-8 strings in native memory, freed together.</summary>
    private sealed class NativeStrings : IDisposable
    {
        private readonly List<nint> _blocks = new();

        public byte* Add(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            var block = (byte*)NativeMemory.Alloc((nuint)length + 1);
            _blocks.Add((nint)block);
            fixed (char* chars = value)
            {
                Encoding.UTF8.GetBytes(chars, value.Length, block, length);
            }

            block[length] = 0;
            return block;
        }

        public byte** Array(IReadOnlyList<string> values)
        {
            var array = (byte**)NativeMemory.Alloc((nuint)(values.Count + 1), (nuint)sizeof(byte*));
            _blocks.Add((nint)array);
            for (var i = 0; i < values.Count; i++)
            {
                array[i] = Add(values[i]);
            }

            array[values.Count] = null;
            return array;
        }

        public void Dispose()
        {
            foreach (var block in _blocks)
            {
                NativeMemory.Free((void*)block);
            }
        }
    }
}
