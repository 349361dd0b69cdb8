using System.Globalization;

namespace RControl.Transports.Local;

/// <summary>Looks at the members of a process group through <c>/proc</c>.</summary>
internal static class ProcessGroup
{
    /// <summary>True while a process of the group runs or is dying (a zombie, already dead, does not count).</summary>
    public static bool HasLiveMembers(int processGroup)
    {
        if (!Posix.KillGroup(processGroup, 0))
        {
            return false; // ESRCH: the group is empty.
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so parse after the last ')'.
                var fields = stat.AsSpan(stat.LastIndexOf(')') + 2).ToString().Split(' ', 4);
                if (fields[0] != "Z" && fields[0] != "X" && int.Parse(fields[2], CultureInfo.InvariantCulture) == processGroup)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while we looked.
            }
        }

        return false;
    }
}
