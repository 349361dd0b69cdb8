namespace RControl.TestSupport;

/// <summary>Finds and kills the descendants of a process (Linux <c>/proc</c>).</summary>
public static class ProcessTree
{
    /// <summary>Every descendant of <paramref name="pid"/> (children, grandchildren …) at this moment.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var child))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the command name (which may contain spaces) start after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = new List<int>();
                }

                list.Add(child);
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        var result = new List<int>();
        var pending = new Stack<int>();
        pending.Push(pid);
        while (pending.Count > 0)
        {
            if (children.TryGetValue(pending.Pop(), out var list))
            {
                foreach (var child in list)
                {
                    result.Add(child);
                    pending.Push(child);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Kills (SIGKILL) every process whose command line contains <paramref name="marker"/>, with its process group:
    /// test clean-up for remote commands a cut connection left behind.
    /// </summary>
    public static async Task KillMatchingAsync(string marker)
    {
        foreach (var pid in await ProcessRunner.PgrepAsync(marker).ConfigureAwait(false))
        {
            SysKill(-pid, 9);
            Kill(pid);
        }
    }

    /// <summary>The parent of a process; null when it is gone.</summary>
    public static int? Parent(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The executable name of a process (<c>/proc/pid/comm</c>, e.g. <c>sshd</c>); null when it is gone.</summary>
    public static string? Name(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The ancestors of a process named <paramref name="name"/> (e.g. the sshd processes serving a remote command), nearest first.</summary>
    public static IReadOnlyList<int> AncestorsNamed(int pid, string name)
    {
        var found = new List<int>();
        for (var current = Parent(pid); current is > 1; current = Parent(current.Value))
        {
            if (Name(current.Value) == name)
            {
                found.Add(current.Value);
            }
        }

        return found;
    }

    /// <summary>Freezes a process (SIGSTOP), e.g. to starve a server of CPU; false when it is gone.</summary>
    public static bool Freeze(int pid) => SysKill(pid, 19) == 0;

    /// <summary>Resumes a frozen process (SIGCONT); false when it is gone.</summary>
    public static bool Thaw(int pid) => SysKill(pid, 18) == 0;

    /// <summary>Sends SIGKILL to a process; false when it is already gone.</summary>
    public static bool Kill(int pid) => SysKill(pid, 9) == 0;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);
}
