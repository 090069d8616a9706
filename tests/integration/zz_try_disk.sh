. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/fixture.sh
D=$T/disk; fixture_member_dir $D; mkdir -p $D/metrics $D/status
ID=10501334649042878790
w1=100000 w2=100000 ws=0 c4=200000 cs=0 r8=100000 rs=0
for k in $(seq 1 32); do
  if ((k >= 2)); then
    if ((k >= 4 && k <= 10)); then w1+=; w1=$((w1+50)) w2=$((w2+40)) ws=$((ws+10)) c4=$((c4+90)) cs=$((cs+10)) r8=$((r8+90)) rs=$((rs+10))
    else w1=$((w1+50)) w2=$((w2+50)) c4=$((c4+100)) r8=$((r8+100)); fi
  fi
  f=$(printf %03d $k)
  fixture_metrics $D/metrics/$f.prom --wal "0.001=$w1 0.002=$w2 2.048=$ws" --commit "0.004=$c4 0.512=$cs" --rtt "0.0008=$r8 0.2048=$rs"
  fixture_status $D/status/$f.json --id $ID --index $((100+k))
done
fixture_stub s1 $D || { t_fail stub; t_done; }
fixture_member_list $D/members.json "s1 $ID http://127.0.0.1:$T_STUB_PORT"
cat > $T/c.yaml <<Y
alert_thresholds:
  min_available_nodes: 1
rules:
  EtcdHighFsyncDurations:
    for: 3s
  EtcdHighFsyncDurationsCritical:
    for: 4s
  EtcdHighCommitDurations:
    for: 3s
  EtcdMemberCommunicationSlow:
    for: 3s
Y
"$EM" --headless --no-discover --endpoints 127.0.0.1:$T_STUB_PORT --interval 1 --duration 31s --windows 10s,20s --health-check-interval 1s --config $T/c.yaml --workdir $T/ws > $T/out 2>&1
echo rc=$?
cat -n $T/ws/alerts.log; cut -d, -f1,6,7,8,15,16 $T/ws/metrics.csv | cat -n
t_done
