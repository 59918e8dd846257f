# Added after the existing services on configure, removed on remove/purge.
passwd last bhxh
group  last bhxh
shadow last bhxh
