#!/usr/bin/env bash
# Writes a C++ file holding a descriptor set and types_json.txt as arrays.
# usage: embed.sh DESCRIPTOR_SET TYPES_JSON > k8s_descriptors.cc
set -euo pipefail
bytes() { od -An -v -tx1 "$1" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; }
echo '#include <cstddef>'
echo 'namespace doris_operator::kubesim {'
echo 'extern const unsigned char kK8sDescriptorSet[] = {'
bytes "$1"
echo '};'
echo 'extern const size_t kK8sDescriptorSetSize = sizeof(kK8sDescriptorSet);'
echo 'extern const char kK8sTypesJson[] = {'
bytes "$2"
echo '0};'
echo '}  // namespace doris_operator::kubesim'
