#!/bin/bash
# Starts a one-node Slurm cluster on this machine from Debian's packages
# (slurm-wlm 22.05, munge), as root, for the test that submits sweep.sbatch
# to a real scheduler. Idempotent: a cluster that answers is left alone.
# Exit status 3 when the packages cannot be installed (the test then skips).
# Recipe: shared/reference/slurm.md.
set -euo pipefail

if command -v sinfo >/dev/null && sinfo -h -o %T 2>/dev/null | grep -q idle; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "local-cluster.sh: needs root to install and start Slurm" >&2
  exit 3
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge; } >/tmp/slurm-install.log 2>&1; then
    echo "local-cluster.sh: could not install slurm-wlm and munge from Debian's packages (see /tmp/slurm-install.log)" >&2
    exit 3
  fi
fi

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
[ -f /etc/munge/munge.key ] || mungekey -c
chown -R munge:munge /etc/munge /run/munge
chmod 400 /etc/munge/munge.key
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged

host=$(hostname -s)
cpus=$(nproc)
# slurm 22.05 does not know CgroupPlugin=disabled; with these plugins it needs no cgroup.conf.
rm -f /etc/slurm/cgroup.conf
cat >/etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmUser=root
SlurmdUser=root
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=4000 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
for _ in $(seq 1 60); do
  if sinfo -h -o %T 2>/dev/null | grep -q idle; then exit 0; fi
  sleep 0.5
done
echo "local-cluster.sh: Slurm started but its node is not idle after 30 s (see /var/log/slurm/)" >&2
exit 1
